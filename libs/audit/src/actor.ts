/** Who is acting, for authorisation scoping and the audit log. */
export interface Actor {
  tenantId: string;
  /** The officer, or null for operator commands run through the CLI. */
  officerId: string | null;
  /** Officer e-mail, or `cli:<os user>`. */
  label: string;
  requestId?: string | null;
}
