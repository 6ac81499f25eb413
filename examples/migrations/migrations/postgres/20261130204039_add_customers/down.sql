-- Undoes: add customers

-- DESTRUCTIVE: drop table shop_customer: drops table shop_customer and every row in it
DROP TABLE "shop_customer";

