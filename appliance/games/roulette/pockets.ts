/** Single-zero wheel: the red pockets; 0 is green, the rest black. */
const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);

export type PocketColour = 'red' | 'black' | 'green';

export function colourOf(n: number): PocketColour {
  if (n === 0) return 'green';
  return RED.has(n) ? 'red' : 'black';
}

/** The SS2 game counter runs 1..256 and wraps to 1. */
export function nextSpin(spin: number): number {
  return (spin % 256) + 1;
}
