// @faultline/vue: Vue 3's errors through faultline (init() of @faultline/browser, or the script tag).
//   app.use(faultlineVue)
// Vue hands every error of a render, watcher, lifecycle hook or event handler (that no errorCaptured hook
// stopped) to app.config.errorHandler. The plugin reports it, with the component and where it happened,
// then calls the handler the app had; without one it logs as Vue does without a handler (Vue's
// development warning, then console.error; or the throw of throwUnhandledErrorInProduction).
import { captureException } from '@faultline/browser';
import { type App, type ComponentPublicInstance, type Plugin, warn } from 'vue';

type ErrorHandler = (err: unknown, instance: ComponentPublicInstance | null, info: string) => void;

export const faultlineVue: Plugin = {
  install(app: App) {
    const config = app.config;
    const previous = config.errorHandler as ErrorHandler | undefined;
    config.errorHandler = (err, instance, info) => {
      captureException(err, { mechanism: 'vue', handled: false, attributes: attributesOf(instance, info) });
      if (typeof previous === 'function') return previous(err, instance, info);
      // What Vue's logError does when there is no handler.
      warn(`Unhandled error${info ? ` during execution of ${info}` : ''}`);
      if (config.throwUnhandledErrorInProduction) throw err;
      console.error(err);
    };
  },
};

/** `vue.component` (its name, as Vue's own warnings give it) and `vue.info` (Vue's words for where: "render
 * function", "mounted hook", or in production builds a link to its error reference). */
function attributesOf(instance: ComponentPublicInstance | null, info: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof info === 'string' && info !== '') out['vue.info'] = info;
  try {
    const options = instance?.$options as { name?: unknown; __name?: unknown; __file?: unknown } | undefined;
    const name = options?.name ?? options?.__name ?? fileName(options?.__file);
    if (typeof name === 'string' && name !== '') out['vue.component'] = name;
  } catch {
    // an instance we cannot read: the report goes without its name
  }
  return out;
}

function fileName(file: unknown): string | undefined {
  return typeof file === 'string' ? file.replace(/^.*[\\/]/, '').replace(/\.vue$/, '') : undefined;
}
