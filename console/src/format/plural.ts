/** "1 participant", "2 participants": counts in sentences (English plurals of the words the console counts). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
