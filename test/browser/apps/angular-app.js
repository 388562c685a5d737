// An Angular app whose component throws: in a template binding, in ngOnInit, in an event handler.
// `window.appConfig.mode`: `esm` (init() of @faultline/browser, bundled), `script-tag` (the page loads
// faultline.min.js; @faultline/angular reports through it), or `plain` (no faultline, Angular's own
// ErrorHandler). JIT-compiled and zoneless, with the decorators called as functions: no Angular compiler
// step in the test's build. JIT runs in development mode (with enableProdMode or ngDevMode=false the app
// does not render); the ErrorHandler path is the same in both.
import '@angular/compiler';
import './page-observer.js';
import { Component, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideFaultlineErrorHandler } from '@faultline/angular';
import { flush, init } from '@faultline/browser';

const config = window.appConfig;
if (config.mode === 'esm') init({ endpoint: config.endpoint, serviceName: config.serviceName });
window.flushFaultline = flush;
const tag = config.tag;

const templates = {
  binding: '<p>{{ total() }}</p>',
  init: '<p>init</p>',
  click: '<button id="boom" type="button" (click)="checkout()">boom</button>',
};
const App = Component({ selector: 'app-root', template: templates[config.case] })(
  class App {
    ngOnInit() {
      if (config.case === 'init') throw new Error(`init ${tag}`);
    }
    total() {
      throw new Error(`binding ${tag}`);
    }
    checkout() {
      throw new Error(`click ${tag}`);
    }
  },
);

document.getElementById('root').append(document.createElement('app-root'));
const providers = [provideZonelessChangeDetection()];
if (config.mode !== 'plain') providers.push(provideFaultlineErrorHandler());
bootstrapApplication(App, { providers }).then(
  () => (window.rendered = true),
  () => (window.rendered = true),
);
