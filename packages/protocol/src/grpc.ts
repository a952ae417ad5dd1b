/**
 * @module
 * Bridges protobuf-es service descriptors to grpc-js service definitions, so both sides of every
 * service are typed from one generated definition.
 */
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { create, fromBinary, isMessage, toBinary } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";

/** Encodes a message (or its plain init object) to wire bytes without an extra copy. */
export function serializerFor<D extends DescMessage>(desc: D): (value: MessageShape<D>) => Buffer {
  return (value) => {
    const bytes = toBinary(desc, isMessage(value, desc) ? value : create(desc, value));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/** Decodes wire bytes into a message. */
export function deserializerFor<D extends DescMessage>(desc: D): (bytes: Buffer) => MessageShape<D> {
  return (bytes) => fromBinary(desc, bytes);
}

/** Custom (de)serialisers for hot-path messages, keyed by message type name. */
export interface CodecOverrides {
  readonly [typeName: string]: {
    readonly serialize: (value: never) => Buffer;
    /**
     * Encodes a message as pieces sent one after another without joining them: `@jumpstarter/grpc-http2`'s
     * client takes it from the codec, its server as `responseSerializeParts` on the method definition.
     */
    readonly serializeParts?: (value: never) => readonly Uint8Array[];
    readonly deserialize: (bytes: Buffer) => unknown;
    /**
     * Decodes a message that arrived in several pieces without joining them first. Servers that support it
     * (`@jumpstarter/grpc-http2`) find it as `requestDeserializeParts` on the method definition.
     */
    readonly deserializeParts?: (parts: readonly Buffer[]) => unknown;
  };
}

/**
 * Builds the grpc-js definition of a protobuf-es service: method paths `/<package>.<Service>/<Method>`,
 * streaming flags and serialisers. `overrides` swaps in faster codecs for chosen message types.
 */
export function grpcServiceDefinition(service: DescService, overrides: CodecOverrides = {}): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    const input = overrides[method.input.typeName];
    const output = overrides[method.output.typeName];
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (input?.serialize ?? serializerFor(method.input)) as (value: unknown) => Buffer,
      requestDeserialize: input?.deserialize ?? deserializerFor(method.input),
      responseSerialize: (output?.serialize ?? serializerFor(method.output)) as (value: unknown) => Buffer,
      responseDeserialize: output?.deserialize ?? deserializerFor(method.output),
      ...(input?.deserializeParts ? { requestDeserializeParts: input.deserializeParts } : {}),
      ...(output?.serializeParts ? { responseSerializeParts: output.serializeParts } : {}),
    } as MethodDefinition<unknown, unknown>;
  }
  return definition;
}
