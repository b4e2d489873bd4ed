/**
 * Error codes of the networking library. Callers check `err.code` (see
 * runtime/errors.ts), so these strings are the contract, not the messages.
 */

/** Every code `cni/` throws inside an {@link ActorError}. */
export const CniCodes = {
  InvalidIP: "InvalidIP",
  InvalidCIDR: "InvalidCIDR",
  InvalidPrefix: "InvalidPrefix",
  InvalidPortRange: "InvalidPortRange",
  SubnetOutOfRange: "SubnetOutOfRange",
  RangeTooLarge: "RangeTooLarge",
  InvalidSnapshot: "InvalidSnapshot",
  CIDRExhausted: "CIDRExhausted",
  CIDRAlreadyAllocated: "CIDRAlreadyAllocated",
  CIDROutOfRange: "CIDROutOfRange",
  IPExhausted: "IPExhausted",
  IPAlreadyAllocated: "IPAlreadyAllocated",
  IPOutOfRange: "IPOutOfRange",
  IPOwnerConflict: "IPOwnerConflict",
  InvalidOwner: "InvalidOwner",
  PortExhausted: "PortExhausted",
  PortAlreadyAllocated: "PortAlreadyAllocated",
  PortOutOfRange: "PortOutOfRange",
} as const;

/** One of {@link CniCodes}. */
export type CniCode = (typeof CniCodes)[keyof typeof CniCodes];
