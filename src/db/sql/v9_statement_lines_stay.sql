-- Labeldesk catalog schema: what an issued royalty statement took stays in the ledger.
-- In v7, deleting an income line or a cost removed the statement's record of having taken it
-- (ON DELETE CASCADE). Undoing that delete brought the line back without the record, so the
-- next statement of the contract would have counted the same income, or charged the same
-- cost, a second time. Now the catalog refuses such a delete (RESTRICT); the app checks first
-- and names the statement. The tables are otherwise unchanged (same columns, keys and index).
-- Only SQL understood by stock SQLite 3.40.

CREATE TABLE statement_income_v9 (
    statement_id    INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    income_line_id  INTEGER NOT NULL REFERENCES income_lines (id) ON DELETE RESTRICT,
    counted         INTEGER NOT NULL DEFAULT 1 CHECK (counted IN (0, 1)),
    PRIMARY KEY (statement_id, income_line_id)
) WITHOUT ROWID;
INSERT INTO statement_income_v9 (statement_id, income_line_id, counted)
    SELECT statement_id, income_line_id, counted FROM statement_income;
DROP TABLE statement_income;
ALTER TABLE statement_income_v9 RENAME TO statement_income;
CREATE INDEX statement_income_by_line ON statement_income (income_line_id, statement_id);

CREATE TABLE statement_costs_v9 (
    statement_id    INTEGER NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
    cost_line_id    INTEGER NOT NULL REFERENCES cost_lines (id) ON DELETE RESTRICT,
    PRIMARY KEY (statement_id, cost_line_id)
) WITHOUT ROWID;
INSERT INTO statement_costs_v9 (statement_id, cost_line_id)
    SELECT statement_id, cost_line_id FROM statement_costs;
DROP TABLE statement_costs;
ALTER TABLE statement_costs_v9 RENAME TO statement_costs;
CREATE INDEX statement_costs_by_cost ON statement_costs (cost_line_id, statement_id);
