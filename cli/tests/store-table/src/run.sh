#!/bin/sh
echo "run from store-table"
