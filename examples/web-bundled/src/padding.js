// Unrelated code that the second build adds before the app: it moves every minified column and renames
// the minified functions, as any release does.
export function formatPrice(cents, currency) {
  const units = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${currency} ${units}.${rest}`;
}

export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

window.shopHelpers = { formatPrice, slugify };
