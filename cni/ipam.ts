/**
 * IPAM entry point: the three allocators the CNI actor, kube-proxy and the
 * apiserver's Service allocation build on. Each lives in its own file and
 * shares one core (range-allocator.ts over bitmap.ts).
 */

/** Node podCIDR allocation out of the cluster CIDR. */
export { CidrAllocator, type CidrAllocatorOptions } from "./cidr-allocator.ts";
/** Pod IP and ClusterIP allocation inside one CIDR, one address per owner. */
export { IpAllocator, type IpAllocatorOptions } from "./ip-allocator.ts";
/** NodePort allocation and port-range parsing. */
export { PortAllocator, type PortRange, formatPortRange, parsePortRange } from "./port-allocator.ts";
/** The error codes the allocators throw with. */
export { CniCodes, type CniCode } from "./codes.ts";
