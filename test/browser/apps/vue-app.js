// A Vue 3 app whose components throw: in render, in a lifecycle hook, in an event handler, in a watcher.
// `window.appConfig.mode`: `esm` (init() of @faultline/browser, bundled), `script-tag` (the page loads
// faultline.min.js; @faultline/vue reports through it), or `plain` (no faultline). `ownHandler: true` gives
// the app an errorHandler of its own before the plugin, which must still be called. Render functions
// (h) rather than templates: the runtime-only build, as most apps ship.
import './page-observer.js';
import { flush, init } from '@faultline/browser';
import { faultlineVue } from '@faultline/vue';
import { createApp, defineComponent, h, nextTick, ref, watch } from 'vue';

const config = window.appConfig;
if (config.mode === 'esm') init({ endpoint: config.endpoint, serviceName: config.serviceName });
window.flushFaultline = flush;
const tag = config.tag;

const ThrowsInRender = defineComponent({
  name: 'ThrowsInRender',
  render() {
    throw new Error(`render ${tag}`);
  },
});
const ThrowsInMounted = defineComponent({
  name: 'ThrowsInMounted',
  mounted() {
    throw new Error(`mounted ${tag}`);
  },
  render: () => h('p', 'mounted'),
});
const ThrowsOnClick = defineComponent({
  name: 'ThrowsOnClick',
  setup() {
    const boom = () => {
      throw new Error(`click ${tag}`);
    };
    return () => h('button', { id: 'boom', type: 'button', onClick: boom }, 'boom');
  },
});
const ThrowsInWatcher = defineComponent({
  name: 'ThrowsInWatcher',
  setup() {
    const count = ref(0);
    watch(count, () => {
      throw new Error(`watcher ${tag}`);
    });
    nextTick(() => count.value++);
    return () => h('p', 'watcher');
  },
});

const cases = { render: ThrowsInRender, mounted: ThrowsInMounted, click: ThrowsOnClick, watcher: ThrowsInWatcher };
const app = createApp({ name: 'Shop', render: () => h('main', [h(cases[config.case])]) });
if (config.ownHandler) {
  window.seen.ownHandler = 0;
  app.config.errorHandler = () => window.seen.ownHandler++;
}
if (config.mode !== 'plain') app.use(faultlineVue);
app.mount('#root');
window.rendered = true;
