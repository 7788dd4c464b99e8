"""The inventory module: stock items, warehouses, stock levels, movements and transfers
(``/api/v1/inventory/...``), switched on and off by ``TT_TIME_INVENTORY_ENABLED``."""
