-- A pool's selector lists take up to 256 entries each (PoolSelector); written comma-separated, 256 vendor:device
-- ids need 2,559 characters and 256 physical-function addresses 3,327, more than the 2,000 of V3 (the insert
-- failed and was answered as a taken name). 4,000, as the addresses already have, fits every list.
ALTER TABLE pool ALTER COLUMN vendor_devices SET DATA TYPE VARCHAR(4000);
ALTER TABLE pool ALTER COLUMN physical_functions SET DATA TYPE VARCHAR(4000);
