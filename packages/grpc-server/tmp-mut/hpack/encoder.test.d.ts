export {};
//# sourceMappingURL=encoder.test.d.ts.map