/**
 * The district's lead inspector (issue #16: the weekly report's optional SMS summary goes to them): a flag on an
 * inspector user, at most one per district node, set by an admin in the users view. The least invasive shape: no
 * new role and no new table; the inspector's scope is unchanged.
 */
export const sql = /* sql */ `
ALTER TABLE users ADD COLUMN lead boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD CONSTRAINT users_lead_inspector CHECK (NOT lead OR role = 'inspector');
CREATE UNIQUE INDEX users_one_lead ON users(district_id) WHERE lead;
`;
