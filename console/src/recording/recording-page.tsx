export function RecordingPage({ id }: { id: string; review: boolean; initialT: number | null }) {
  return <section><h1>Recording {id}</h1></section>;
}
