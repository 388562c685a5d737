// The page's entry: window.shop.fail(kind) throws one of the app's bugs from a timer, uncaught, the way a
// click handler would; faultline's script tag reports it.
import { Cart } from './cart.js';
import { checkout, redeem } from './checkout.js';

const bugs = {
  // TypeError: items is undefined, thrown inside Cart.total.
  'missing-items': () => checkout(undefined),
  // Error with a cause: a TypeError from chargeCard, wrapped by submitOrder.
  'declined-card': () => checkout([{ price: 200, quantity: 1 }]),
  // RangeError from Cart.applyCoupon.
  'unknown-coupon': () => redeem(new Cart([{ price: 5, quantity: 2 }]), 'NOPE'),
};

window.shop = {
  fail(kind) {
    setTimeout(function onTimer() {
      bugs[kind]();
    });
  },
};
