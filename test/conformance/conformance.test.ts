// The same scenarios on Switchyard and on @langchain/langgraph. A scenario's `expected` holds for
// both engines; where Switchyard deliberately differs, `differs` holds each engine's own behaviour,
// so a change on either side fails here and the difference stays documented.
import { setMaxListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { ENGINES } from "./engines.js";
import { expectationFor } from "./harness.js";
import { SCENARIOS } from "./scenarios.js";

// Both engines add one abort listener per running task to a shared signal; the 100-way Send
// fan-out would otherwise print MaxListenersExceededWarning noise.
setMaxListeners(200);

describe("the scenario list", () => {
  it("has unique names", () => {
    const names = SCENARIOS.map((scenario) => scenario.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(SCENARIOS.filter((scenario) => scenario.differs).map((s) => [s.name, s] as const))(
    "documents a real difference: %s",
    (_, scenario) => {
      expect(scenario.differs?.why.length).toBeGreaterThan(20);
      expect(scenario.differs?.switchyard).not.toEqual(scenario.differs?.langgraph);
    },
  );
});

for (const engine of ENGINES) {
  describe(engine.name, () => {
    it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
      "%s",
      async (_, scenario) => {
        const observed = await scenario.run(engine);
        expect(observed).toEqual(expectationFor(scenario, engine.name));
      },
    );
  });
}
