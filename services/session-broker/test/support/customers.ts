export { createRequest, issueRequest } from "@handoff/testing";

/** The requester fields for a rep, a supervisor or the system. */
export const asRep = (id: string) => ({ actor: 2, id, customerToken: "" });
export const asSupervisor = (id: string) => ({ actor: 3, id, customerToken: "" });
export const asCustomer = (customerToken: string) => ({ actor: 4, id: "", customerToken });
export const asSystem = () => ({ actor: 1, id: "", customerToken: "" });
