export {};
//# sourceMappingURL=huffman.test.d.ts.map