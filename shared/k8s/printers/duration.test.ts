import { describe, expect, it } from "vitest";
import { humanDuration } from "./duration";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

// Boundaries of apimachinery's HumanDuration, each side of every threshold.
const cases: [number, string][] = [
  [-3 * S, "<invalid>"],
  [-2 * S, "<invalid>"],
  [-2 * S + 1, "0s"],
  [-1 * S, "0s"],
  [-1, "0s"],
  [0, "0s"],
  [999, "0s"],
  [S, "1s"],
  [59 * S, "59s"],
  [2 * M - 1, "119s"],
  [2 * M, "2m"],
  [3 * M + 20 * S, "3m20s"],
  [3 * M + 20 * S + 999, "3m20s"],
  [5 * M, "5m"],
  [10 * M - 1, "9m59s"],
  [10 * M, "10m"],
  [10 * M + 30 * S, "10m"],
  [3 * H - 1, "179m"],
  [3 * H, "3h"],
  [3 * H + 30 * M, "3h30m"],
  [8 * H - 1, "7h59m"],
  [8 * H, "8h"],
  [48 * H - 1, "47h"],
  [48 * H, "2d"],
  [2 * D + 5 * H, "2d5h"],
  [8 * D - 1, "7d23h"],
  [8 * D, "8d"],
  [2 * Y - 1, "729d"],
  [2 * Y, "2y"],
  [2 * Y + 30 * D, "2y30d"],
  [8 * Y - 1, "7y364d"],
  [8 * Y, "8y"],
  [20 * Y + 100 * D, "20y"],
];

describe("humanDuration", () => {
  it.each(cases)("%d ms → %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});
