// A shopping cart whose bugs the end-to-end test triggers; each throws from a function of its own.
export class Cart {
  constructor(items) {
    this.items = items;
  }

  total() {
    return this.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  }

  applyCoupon(code) {
    const coupons = { WELCOME: 0.1 };
    if (!(code in coupons)) throw new RangeError(`unknown coupon ${code}`);
    return this.total() * (1 - coupons[code]);
  }
}
