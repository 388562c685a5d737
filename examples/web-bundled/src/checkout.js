import { Cart } from './cart.js';

export function checkout(items) {
  const cart = new Cart(items);
  return submitOrder(cart);
}

function submitOrder(cart) {
  const amount = cart.total();
  try {
    return chargeCard(amount);
  } catch (err) {
    throw new Error('checkout failed', { cause: err });
  }
}

function chargeCard(amount) {
  if (amount > 100) throw new TypeError(`card declined for ${amount}`);
  return amount;
}

export function redeem(cart, code) {
  return cart.applyCoupon(code);
}
