export {};
//# sourceMappingURL=flow-control.test.d.ts.map