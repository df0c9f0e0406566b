// The checkpointer contract: one suite of cases that every ThreadStore implementation must pass
// (STYLE.md item 10). `contract.test.ts` runs it for each checkpointer.
import { afterEach, beforeEach, describe } from "vitest";
import type { ThreadStore } from "../../src/index.js";
import { atomicCases } from "./cases-atomic.js";
import { leaseCases } from "./cases-leases.js";
import { namespaceCases } from "./cases-namespaces.js";
import { retentionCases } from "./cases-retention.js";
import { storageCases } from "./cases-storage.js";
import { usageCases } from "./cases-usage.js";

export interface MadeStore {
  readonly store: ThreadStore;
  readonly close?: () => void | Promise<void>;
}

/** Makes a fresh, empty store. `leaseMs` is passed only by the lease-expiry cases. */
export type MakeStore = (options?: { leaseMs?: number }) => MadeStore;

/** What each case gets: the test's fresh store, and a way to open another with other options. */
export interface ContractContext {
  readonly store: ThreadStore;
  open(options: { leaseMs?: number }): ThreadStore;
}

export function describeCheckpointerContract(name: string, make: MakeStore): void {
  describe(`checkpointer contract: ${name}`, () => {
    let opened: MadeStore[] = [];
    let current: MadeStore | undefined;

    const open = (options?: { leaseMs?: number }): MadeStore => {
      const made = make(options);
      opened.push(made);
      return made;
    };
    const ctx: ContractContext = {
      get store() {
        if (!current) throw new Error("the contract's store is opened in beforeEach");
        return current.store;
      },
      open: (options) => open(options).store,
    };

    beforeEach(() => {
      current = open();
    });
    afterEach(async () => {
      for (const made of opened) await made.close?.();
      opened = [];
      current = undefined;
    });

    storageCases(ctx);
    leaseCases(ctx);
    retentionCases(ctx);
    atomicCases(ctx);
    namespaceCases(ctx);
    usageCases(ctx);
  });
}
