export {};
//# sourceMappingURL=decoder.test.d.ts.map