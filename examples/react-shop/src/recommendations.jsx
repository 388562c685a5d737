export function Recommendations({ products }) {
  return (
    <ul>
      {products.map((p) => (
        <li key={p.id}>
          {p.name}: {p.rating.stars.toFixed(1)} stars
        </li>
      ))}
    </ul>
  );
}
