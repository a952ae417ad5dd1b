/**
 * @module
 * The HPACK decoder (RFC 7541): one per HTTP/2 connection, fed every complete header block the
 * peer sends, in order, since the blocks share the dynamic table.
 */
import { HeaderListTooLargeError, HpackError } from "./errors.js";
import { huffmanDecodeInto } from "./huffman.js";
import { STATIC_TABLE } from "./static-table.js";

export { HpackError };

const STATIC_LENGTH = STATIC_TABLE.length;
const ENTRY_OVERHEAD = 32;
const MAX_INTEGER = 0x7fffffff;
const EMPTY = Buffer.alloc(0);

/**
 * Decodes HPACK header blocks into `[name, value]` lists. Names and values are `latin1` strings,
 * so every byte survives as one char code.
 */
export class HpackDecoder {
  readonly #maxTableSizeLimit: number;
  readonly #maxHeaderListSize: number;

  /* Dynamic table as a ring of `#capacity` (a power of two) slots; the oldest entry is at `#head`. */
  #names: string[] = [];
  #values: string[] = [];
  #capacity = 0;
  #head = 0;
  #count = 0;
  #tableSize = 0;
  #maxTableSize: number;

  /* The block being decoded, and the read position in it. */
  #block: Buffer = EMPTY;
  #pos = 0;
  #end = 0;
  #scratch: Buffer = Buffer.alloc(256);

  /**
   * @param maxTableSize - the SETTINGS_HEADER_TABLE_SIZE this endpoint advertises: the most the
   *   peer's dynamic table size updates may ask for, and the initial table size. Blocks the peer
   *   sends before it sees a value below the protocol default of 4096 still assume 4096, so such a
   *   value only works if no header block precedes the peer's SETTINGS acknowledgement.
   * @param maxHeaderListSize - the largest decoded header list accepted, counted as
   *   SETTINGS_MAX_HEADER_LIST_SIZE counts it (name length + value length + 32 per field).
   */
  constructor(maxTableSize = 4096, maxHeaderListSize = 64 * 1024) {
    this.#maxTableSizeLimit = maxTableSize;
    this.#maxTableSize = maxTableSize;
    this.#maxHeaderListSize = maxHeaderListSize;
  }

  /** The current size of the dynamic table, counted as RFC 7541 Section 4.1 counts it. */
  get tableSize(): number {
    return this.#tableSize;
  }

  /** The current maximum size of the dynamic table, as last set by the peer (or the initial limit). */
  get maxTableSize(): number {
    return this.#maxTableSize;
  }

  /** A copy of the dynamic table, newest entry (index 62) first. */
  tableEntries(): Array<[string, string]> {
    const entries: Array<[string, string]> = [];
    for (let i = 1; i <= this.#count; i++) {
      const slot = this.#slot(i);
      entries.push([this.#names[slot]!, this.#values[slot]!]);
    }
    return entries;
  }

  /**
   * Decodes one complete header block (the fragments of a HEADERS or PUSH_PROMISE frame and its
   * CONTINUATION frames, concatenated), updating the dynamic table.
   *
   * @throws HpackError on any malformed block: the dynamic table is then out of step with the peer's, so the
   *   connection must end.
   * @throws HeaderListTooLargeError when the decoded list exceeds the size limit; the table is still in step.
   */
  decode(block: Uint8Array): Array<[string, string]> {
    this.#block = Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength);
    this.#pos = 0;
    this.#end = block.length;
    try {
      return this.#decodeFields();
    } finally {
      this.#block = EMPTY;
    }
  }

  #decodeFields(): Array<[string, string]> {
    const fields: Array<[string, string]> = [];
    const block = this.#block;
    let listSize = 0;
    let atStart = true;
    while (this.#pos < this.#end) {
      const first = block[this.#pos]!;
      let name: string;
      let value: string;
      if (first & 0x80) {
        const index = this.#integer(7);
        if (index === 0) throw new HpackError("indexed header field with index 0");
        if (index <= STATIC_LENGTH) {
          [name, value] = STATIC_TABLE[index - 1]!;
        } else {
          const slot = this.#dynamicSlot(index);
          name = this.#names[slot]!;
          value = this.#values[slot]!;
        }
      } else if ((first & 0xe0) === 0x20) {
        if (!atStart) throw new HpackError("dynamic table size update after the first header field");
        const size = this.#integer(5);
        if (size > this.#maxTableSizeLimit) {
          throw new HpackError(`dynamic table size update to ${size} exceeds the limit of ${this.#maxTableSizeLimit}`);
        }
        this.#maxTableSize = size;
        this.#evict(size);
        continue;
      } else {
        const indexing = (first & 0xc0) === 0x40;
        const nameIndex = this.#integer(indexing ? 6 : 4);
        name = nameIndex === 0 ? this.#string() : this.#indexedName(nameIndex);
        value = this.#string();
        if (indexing) this.#add(name, value);
      }
      atStart = false;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      // Past the limit the block is still decoded to its end, so the dynamic table stays in step.
      if (listSize <= this.#maxHeaderListSize) fields.push([name, value]);
    }
    if (listSize > this.#maxHeaderListSize) {
      throw new HeaderListTooLargeError(`header list of ${listSize} bytes exceeds the limit of ${this.#maxHeaderListSize} bytes`);
    }
    return fields;
  }

  /* Reads an integer with an N-bit prefix (RFC 7541 Section 5.1), the prefix in the current byte. */
  #integer(prefixBits: number): number {
    const block = this.#block;
    const max = (1 << prefixBits) - 1;
    let value = block[this.#pos++]! & max;
    if (value < max) return value;
    for (let shift = 0; ; shift += 7) {
      if (this.#pos >= this.#end) throw new HpackError("header block ends inside an integer");
      if (shift > 28) throw new HpackError("integer has too many continuation bytes");
      const byte = block[this.#pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
    if (value > MAX_INTEGER) throw new HpackError(`integer ${value} exceeds 2^31 - 1`);
    return value;
  }

  /* Reads a string literal (RFC 7541 Section 5.2). */
  #string(): string {
    if (this.#pos >= this.#end) throw new HpackError("header block ends before a string literal");
    const huffman = (this.#block[this.#pos]! & 0x80) !== 0;
    const length = this.#integer(7);
    const start = this.#pos;
    if (length > this.#end - start) throw new HpackError("header block ends inside a string literal");
    this.#pos = start + length;
    if (!huffman) return this.#block.toString("latin1", start, start + length);
    const room = Math.floor((length * 8) / 5);
    if (this.#scratch.length < room) this.#scratch = Buffer.allocUnsafe(Math.max(room, 2 * this.#scratch.length));
    const decodedLength = huffmanDecodeInto(this.#block, start, start + length, this.#scratch, 0);
    return this.#scratch.toString("latin1", 0, decodedLength);
  }

  #indexedName(index: number): string {
    if (index <= STATIC_LENGTH) return STATIC_TABLE[index - 1]![0];
    return this.#names[this.#dynamicSlot(index)]!;
  }

  #dynamicSlot(index: number): number {
    const i = index - STATIC_LENGTH;
    if (i > this.#count) {
      const entries = STATIC_LENGTH + this.#count;
      throw new HpackError(`index ${index} is beyond the static and dynamic tables (${entries} entries)`);
    }
    return this.#slot(i);
  }

  /* The ring slot of dynamic table entry `i`, 1 being the newest. */
  #slot(i: number): number {
    return (this.#head + this.#count - i) & (this.#capacity - 1);
  }

  #add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.#evict(this.#maxTableSize - size);
    if (size > this.#maxTableSize) return;
    if (this.#count === this.#capacity) this.#grow();
    const slot = (this.#head + this.#count) & (this.#capacity - 1);
    this.#names[slot] = name;
    this.#values[slot] = value;
    this.#count++;
    this.#tableSize += size;
  }

  /* Evicts the oldest entries until the table size is at most `size` (which may be negative). */
  #evict(size: number): void {
    while (this.#tableSize > size && this.#count > 0) {
      const slot = this.#head;
      this.#tableSize -= this.#names[slot]!.length + this.#values[slot]!.length + ENTRY_OVERHEAD;
      this.#names[slot] = "";
      this.#values[slot] = "";
      this.#head = (this.#head + 1) & (this.#capacity - 1);
      this.#count--;
    }
  }

  #grow(): void {
    const capacity = Math.max(16, 2 * this.#capacity);
    const names: string[] = new Array<string>(capacity).fill("");
    const values: string[] = new Array<string>(capacity).fill("");
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) & (this.#capacity - 1);
      names[i] = this.#names[slot]!;
      values[i] = this.#values[slot]!;
    }
    this.#names = names;
    this.#values = values;
    this.#head = 0;
    this.#capacity = capacity;
  }
}
