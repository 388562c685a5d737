// The React example: a shop page whose recommendations panel fails to render (a product without a rating),
// caught by faultline's ErrorBoundary, which shows a fallback; and a coupon button whose handler throws.
// Both reach the view with the component stack (react.component_stack).
import { init } from '@faultline/browser';
import { ErrorBoundary, rootOptions } from '@faultline/react';
import { createRoot } from 'react-dom/client';
import { Recommendations } from './recommendations.jsx';

init({ endpoint: window.FAULTLINE_ENDPOINT, serviceName: 'demo-shop-react', release: '1.4.2' });

const products = [
  { id: 1, name: 'Espresso cups', rating: { stars: 4.5 } },
  { id: 2, name: 'Milk jug' }, // no rating yet
];

function applyCoupon() {
  const coupon = JSON.parse(document.getElementById('coupon').value || 'null');
  return coupon.code.toUpperCase(); // no coupon entered: null
}

function Shop() {
  return (
    <main>
      <h1>Shop</h1>
      <input id="coupon" placeholder="coupon" />
      <button id="apply" type="button" onClick={applyCoupon}>
        Apply coupon
      </button>
      <ErrorBoundary fallback={<p id="fallback">Recommendations are unavailable right now.</p>}>
        <Recommendations products={products} />
      </ErrorBoundary>
    </main>
  );
}

createRoot(document.getElementById('root'), rootOptions()).render(<Shop />);
