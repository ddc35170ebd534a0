export function Coordinator() {
  return <section><h1>Coordinator</h1></section>;
}
