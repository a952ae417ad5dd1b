export {};
//# sourceMappingURL=rfc.test.d.ts.map