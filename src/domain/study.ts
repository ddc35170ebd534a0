/** One label of a study's taxonomy, with the console's hotkey and colour. */
export interface StudyLabel {
  name: string;
  hotkey?: string;
  color?: string;
}
