declare namespace Cloudflare {
  interface Env {
    /** The adversarial suite's seed (test/adversarial.test.ts); empty for the fixed CI seed. */
    FUZZ_SEED?: string;
    /** Scales the adversarial suite's run counts: 100 is the CI count. */
    FUZZ_RUNS?: string;
    /** Non-empty: shrink a failing counterexample (slow). */
    FUZZ_SHRINK?: string;
    /** Non-empty: print how often each verb got each status. */
    FUZZ_STATS?: string;
  }
}
