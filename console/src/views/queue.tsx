export function Queue() {
  return <section><h1>Work queue</h1></section>;
}
