/** Standard gravity (m/s² per g), the factor every reader and detector converts g with. */
export const STANDARD_GRAVITY = 9.80665;
