-- Runs after the README's Neovim snippet was loaded as the user's init.lua:
-- opens .net files as a user would (no filetype or client set here), and
-- writes what the snippet made of them to $LAYERWISE_OUT as JSON.
-- Inputs: $LAYERWISE_FILE and $LAYERWISE_SECOND (two .net files).

local steps = dofile(vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':h') .. '/steps.lua')
local result, step, finish = steps.result, steps.step, steps.finish

local function layerwise_clients(bufnr)
  local names = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do table.insert(names, { id = client.id, name = client.name }) end
  return names
end

step('open', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('LAYERWISE_FILE')))
  result.filetype = vim.bo.filetype
  local attached = vim.wait(15000, function() return #layerwise_clients(0) > 0 end, 50)
  assert(attached, 'no client attached to the buffer')
  result.clients = layerwise_clients(0)
end)

step('diagnostics', steps.diagnostics)

step('hover', steps.hover_first_dense)

-- A second .net file: the same server attaches to it.
step('second', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('LAYERWISE_SECOND')))
  result.second_filetype = vim.bo.filetype
  vim.wait(15000, function() return #layerwise_clients(0) > 0 end, 50)
  result.second_clients = layerwise_clients(0)
end)

finish()
