import { z } from "zod";
import { parseCidr } from "./cidr.ts";

/** A CIDR range as text (`100.64.0.0/10`, `fd00::/8`), checked by the same parser that uses it. */
export const CidrText = z.string().refine((text) => {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}, "must be a CIDR such as 192.168.1.0/24");
