/** What a WebGPU adapter says about itself (`GPUAdapterInfo`), and whether it is a GPU or a CPU emulating one. */
export interface WebGpuAdapterInfo {
  /** e.g. 'nvidia', 'apple', 'mesa' (lavapipe); '' when the browser hides it. */
  vendor: string;
  /** e.g. 'ampere', 'metal-3', 'software' (lavapipe); '' when hidden. */
  architecture: string;
  /** The device as the driver names it ('' when hidden). */
  device: string;
  /** A longer description ('' when hidden), e.g. 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)'. */
  description: string;
  /**
   * True for a software adapter: a CPU running the shaders (Mesa's lavapipe/llvmpipe, SwiftShader, Windows' WARP).
   * Such an adapter is correct but slower than wasm, so `auto` passes it over.
   */
  software: boolean;
}

/** The parts of GPUAdapter and GPUAdapterInfo read here (lib.dom's types are not assumed). */
export interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterLike['info']>;
}

const SOFTWARE = /\b(llvmpipe|lavapipe|swiftshader|software|microsoft basic render|warp)\b/i;

/** Reads an adapter's info (`adapter.info`, or the older `requestAdapterInfo()`), and classifies it. */
export async function describeAdapter(adapter: AdapterLike): Promise<WebGpuAdapterInfo> {
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  const text = (s: unknown) => (typeof s === 'string' ? s : '');
  const out = {
    vendor: text(info.vendor),
    architecture: text(info.architecture),
    device: text(info.device),
    description: text(info.description),
  };
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    out.architecture === 'software' ||
    SOFTWARE.test(`${out.device} ${out.description}`);
  return { ...out, software };
}

/** `nvidia ampere (NVIDIA H200), hardware` or `mesa software (llvmpipe: Mesa 25.0.7 …), software`. */
export function adapterLine(a: WebGpuAdapterInfo): string {
  const name = [a.vendor || 'unknown vendor', a.architecture].filter(Boolean).join(' ');
  const what = a.description || a.device;
  return `${name}${what ? ` (${what})` : ''}, ${a.software ? 'software' : 'hardware'}`;
}
