export {};
//# sourceMappingURL=peer.test.d.ts.map