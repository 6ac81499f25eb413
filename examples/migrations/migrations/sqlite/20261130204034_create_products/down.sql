-- Undoes: create products

-- DESTRUCTIVE: drop table shop_product: drops table shop_product and every row in it
DROP TABLE "shop_product";

