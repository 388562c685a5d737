// A React 19 app whose components throw: in render, in an effect, in an event handler, and in render with no
// boundary above. `window.appConfig.mode` picks how faultline is there: `esm` (init() of @faultline/browser,
// bundled), `script-tag` (the page loads faultline.min.js; @faultline/react reports through it), or `plain`
// (no faultline: a boundary of the app's own and no root options), which is what the other two must behave
// like. `rootOptions: false` leaves the root without faultline's options (the boundary alone reports).
// What the page observes (error events, console.error calls) is counted in `window.seen` (page-observer.js).
import './page-observer.js';
import { flush, init } from '@faultline/browser';
import { ErrorBoundary, rootOptions } from '@faultline/react';
import { Component, useEffect } from 'react';
import { createRoot } from 'react-dom/client';

const config = window.appConfig;
if (config.mode === 'esm') init({ endpoint: config.endpoint, serviceName: config.serviceName });
window.flushFaultline = flush;

class PlainBoundary extends Component {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

const plain = config.mode === 'plain';
const Boundary = plain ? PlainBoundary : ErrorBoundary;
const tag = config.tag;

function ThrowsInRender({ where }) {
  throw new Error(`${where} ${tag}`);
}
function ThrowsInEffect() {
  useEffect(() => {
    throw new Error(`effect ${tag}`);
  }, []);
  return <p>effect</p>;
}
function ThrowsOnClick() {
  const boom = () => {
    throw new Error(`click ${tag}`);
  };
  return (
    <button id="boom" type="button" onClick={boom}>
      boom
    </button>
  );
}
function Shop({ children }) {
  return <main>{children}</main>;
}

const fallback = <p id="fallback">Something went wrong</p>;
const cases = {
  render: (
    <Boundary fallback={fallback}>
      <Shop>
        <ThrowsInRender where="render" />
      </Shop>
    </Boundary>
  ),
  effect: (
    <Boundary fallback={fallback}>
      <ThrowsInEffect />
    </Boundary>
  ),
  click: <ThrowsOnClick />,
  uncaught: (
    <Shop>
      <ThrowsInRender where="uncaught" />
    </Shop>
  ),
};

const options = plain || config.rootOptions === false ? {} : rootOptions();
createRoot(document.getElementById('root'), options).render(cases[config.case]);
window.rendered = true;
