import { KeyedBatch } from "../../provider/keyed-batch";

describe("KeyedBatch", () => {
  it("fetches keys asked for together in one batch, each key once, and answers every caller", async () => {
    const batches: string[][] = [];
    const batch = new KeyedBatch<string, number | null>(
      async (keys) => {
        batches.push(keys);
        return new Map(keys.filter((k) => k !== "gone").map((k) => [k, k.length]));
      },
      null,
      0,
      100,
    );
    const values = await Promise.all(["a", "bb", "a", "gone"].map((k) => batch.get(k)));
    expect(values).toEqual([1, 2, 1, null]);
    expect(batches).toEqual([["a", "bb", "gone"]]);
  });

  it("sends a batch as soon as it is full", async () => {
    const batches: string[][] = [];
    const batch = new KeyedBatch<string, string>(
      async (keys) => {
        batches.push(keys);
        return new Map(keys.map((k) => [k, k]));
      },
      "",
      60_000,
      2,
    );
    await Promise.all([batch.get("a"), batch.get("b")]);
    expect(batches).toEqual([["a", "b"]]);
  });

  it("rejects one key's callers for that key's error and every caller when the batch fails", async () => {
    const perKey = new KeyedBatch<string, string>(
      async () =>
        new Map<string, string | Error>([
          ["ok", "v"],
          ["bad", new Error("bad key")],
        ]),
      "",
      0,
      10,
    );
    await expect(Promise.all([perKey.get("ok"), perKey.get("bad").catch((e: Error) => e.message)])).resolves.toEqual([
      "v",
      "bad key",
    ]);
    const failing = new KeyedBatch<string, string>(async () => Promise.reject(new Error("down")), "", 0, 10);
    await expect(failing.get("x")).rejects.toThrow("down");
  });
});
