-- Indexes no statement uses, kept up to date on every write: an UPDATE in H2 takes a row out of every index of its
-- table and puts it back, so each costs two B-tree changes per write (measured: the journal's rows are written
-- about fourteen times per grant and its revocation). What is held by a user is found through
-- device_grant (state, uid) since V4 (HoldingQueriesTest checks the plans); the journal is read only by phase
-- (its open steps).
DROP INDEX device_grant_uid_idx;
DROP INDEX operation_journal_grant_idx;
