-- Labeldesk catalog schema: physical sales in a sales report take stock.
-- A mail-order sale in a report (a Bandcamp "package") for one of the label's formats writes
-- a stock movement at the home location, tied to its income line: removing the import, or
-- undoing it, deletes the line and with it the movement, so the stock comes back. Imports made
-- before this version are left as they were (their sales were counted by hand).
-- Only SQL understood by stock SQLite 3.40.

ALTER TABLE stock_movements
    ADD COLUMN income_line_id INTEGER REFERENCES income_lines (id) ON DELETE CASCADE;
CREATE INDEX stock_movements_by_income_line ON stock_movements (income_line_id)
    WHERE income_line_id IS NOT NULL;
