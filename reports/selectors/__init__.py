"""Reports' read queries: the figures of a scope and period (figures), and the Posyantek
overview by region for the dinas and staff (overview). All aggregation is done by the
database, in Asia/Jakarta periods."""
