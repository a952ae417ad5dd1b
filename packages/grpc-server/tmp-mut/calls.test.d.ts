export {};
//# sourceMappingURL=calls.test.d.ts.map