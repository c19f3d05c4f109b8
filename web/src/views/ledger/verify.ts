/**
 * The ledger pages' proof checker. The code lives in src/contracts/ledger-proof.ts (pure, no Vue, no
 * Node APIs) so the node tests check the very module the browser runs against a real ledger.
 */
export * from '../../../../src/contracts/ledger-proof';
