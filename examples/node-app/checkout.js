// A CommonJS script that crashes with an uncaught TypeError, like a bug in production would.
// Run with the agent: node --require @faultline/node/register examples/node-app/checkout.js
function totalOf(cart) {
  return cart.items.reduce((sum, item) => sum + item.price, 0);
}

function checkout(user) {
  // user.cart is undefined for a guest: TypeError.
  return totalOf(user.cart);
}

setTimeout(() => checkout({ id: 42, email: 'guest@example.com' }), 10);
