import { describe, expect, it } from "vitest";
import { addAmount, amountOf, formatAmount, prettyPrintAmounts } from "./quota-amount";

describe("quota amounts", () => {
  it.each([
    ["1Gi", "1Gi"], ["1024Mi", "1Gi"], ["1536Mi", "1536Mi"], ["512", "512"], ["0.5", "500m"], ["1500m", "1500m"],
    ["2000", "2k"], ["1500", "1500"], ["0", "0"], ["1G", "1G"], ["100m", "100m"], ["2", "2"],
  ])("prints %s as %s (Quantity.String)", (input, printed) => {
    expect(formatAmount(amountOf(input))).toBe(printed);
  });

  it("sums in the left side's format; a zero takes the right side's", () => {
    expect(formatAmount(addAmount(amountOf("512Mi"), amountOf("512Mi")))).toBe("1Gi");
    expect(formatAmount(addAmount(amountOf("0"), amountOf("1Gi")))).toBe("1Gi");
    expect(formatAmount(addAmount(amountOf("250m"), amountOf("750m")))).toBe("1");
  });

  it("prints quantities past any float without throwing", () => {
    expect(formatAmount(amountOf("1e400"))).toMatch(/^\d+[mkMGTPE]?$/);
    expect(formatAmount({ milli: Number.NaN, binary: false })).toBe("0");
  });

  it("pretty-prints sorted name=value pairs joined by commas (quota.prettyPrint)", () => {
    expect(prettyPrintAmounts({ "requests.memory": amountOf("2Gi"), pods: amountOf("1") })).toBe("pods=1,requests.memory=2Gi");
  });
});
