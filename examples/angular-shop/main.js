// The Angular example: a checkout button whose handler throws, reported through @faultline/angular's
// ErrorHandler; Angular still logs it as it would. JIT and zoneless, the decorator applied as a function (no
// Angular compiler step); an Angular CLI app adds the provider the same way.
//   node examples/bundle.mjs examples/angular-shop/main.js app.js, then a page with <app-root> and app.js
import '@angular/compiler';
import { Component, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideFaultlineErrorHandler } from '@faultline/angular';
import { init } from '@faultline/browser';

init({ endpoint: window.FAULTLINE_ENDPOINT, serviceName: 'demo-shop-angular', release: '1.4.2' });

const Checkout = Component({
  selector: 'app-root',
  template: '<button id="pay" type="button" (click)="pay()">Pay</button>',
})(
  class Checkout {
    pay() {
      const card = undefined;
      return card.token; // TypeError
    }
  },
);
bootstrapApplication(Checkout, { providers: [provideZonelessChangeDetection(), provideFaultlineErrorHandler()] });
