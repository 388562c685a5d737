// The Vue example: a cart whose total fails to render (a line without a price), reported through
// @faultline/vue with the component's name; Vue still logs it as it would.
//   node examples/bundle.mjs examples/vue-shop/main.js app.js, then a page with <div id="app"> and app.js
import { init } from '@faultline/browser';
import { faultlineVue } from '@faultline/vue';
import { createApp, defineComponent, h } from 'vue';

init({ endpoint: window.FAULTLINE_ENDPOINT, serviceName: 'demo-shop-vue', release: '1.4.2' });

const CartTotal = defineComponent({
  name: 'CartTotal',
  props: { lines: Array },
  render() {
    const total = this.lines.reduce((sum, line) => sum + line.price.amount, 0); // one line has no price
    return h('p', `Total: ${total}`);
  },
});
const app = createApp({ render: () => h(CartTotal, { lines: [{ price: { amount: 12 } }, { sku: 'MUG-2' }] }) });
app.use(faultlineVue);
app.mount('#app');
