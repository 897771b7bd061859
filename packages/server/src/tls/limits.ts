/** Largest request line + headers accepted (kube-apiserver's `MaxHeaderBytes`, Go's default: 1 MiB). */
export const MAX_REQUEST_HEADER_BYTES = 1 << 20;
